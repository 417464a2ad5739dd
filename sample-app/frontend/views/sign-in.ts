import { type Api, errorMessage } from '../api';
import { busy, byId } from '../dom';

type Mode = 'signin' | 'signup';

const TEXT: Record<Mode, { title: string; submit: string; switchText: string; switchButton: string; route: string }> = {
  signin: { title: 'Sign in to Newsroom', submit: 'Sign in', switchText: 'New here?', switchButton: 'Create an account', route: '/signin' },
  signup: { title: 'Create your Newsroom account', submit: 'Create account', switchText: 'Already have an account?', switchButton: 'Sign in', route: '/signup' },
};

/**
 * The signed-out view: the sample's own `POST /signin` and `POST /signup`. A successful answer
 * carries the new session; the SDK stores it and fires `SESSION_CREATED`, which re-renders the page.
 */
export function setUpSignIn(api: Api): void {
  let mode: Mode = 'signin';
  const form = byId<HTMLFormElement>('auth-form');
  const error = byId('auth-error');

  const show = () => {
    const text = TEXT[mode];
    byId('auth-title').textContent = text.title;
    byId('auth-submit').textContent = text.submit;
    byId('auth-switch-text').textContent = text.switchText;
    byId('auth-switch').textContent = text.switchButton;
    byId<HTMLInputElement>('password').autocomplete = mode === 'signin' ? 'current-password' : 'new-password';
    error.hidden = true;
  };

  byId('auth-switch').addEventListener('click', () => {
    mode = mode === 'signin' ? 'signup' : 'signin';
    show();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = byId<HTMLInputElement>('email').value.trim();
    const password = byId<HTMLInputElement>('password').value;
    void busy(byId<HTMLButtonElement>('auth-submit'), async () => {
      error.hidden = true;
      const result = await api('POST', TEXT[mode].route, { email, password });
      if (result.ok) {
        byId<HTMLInputElement>('password').value = '';
        return;
      }
      error.textContent = result.status === 401 ? 'Wrong email or password.' : capitalise(errorMessage(result));
      error.hidden = false;
    });
  });
  show();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}
