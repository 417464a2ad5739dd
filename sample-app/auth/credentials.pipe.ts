import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** A validated `{ email, password }` body. */
export interface Credentials {
  email: string;
  password: string;
}

// Deliberately loose (one @, a dot in the domain, no spaces): the real check is a verification email.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
// Bounds the work scrypt does on attacker input.
const MAX_PASSWORD_LENGTH = 1024;

/**
 * Validates a credentials body; anything else is a 400 `{"message": ...}`, never a 500.
 * Sign-up asks for a minimum password length; sign-in accepts any non-empty password so the
 * policy can change without locking out existing accounts.
 */
export class CredentialsPipe implements PipeTransform<unknown, Credentials> {
  constructor(private readonly minPasswordLength = 1) {}

  transform(body: unknown): Credentials {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalid('the body must be a JSON object {"email": "...", "password": "..."}');
    }
    const { email, password } = body as Record<string, unknown>;
    if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email.trim())) {
      throw invalid('email must be a valid email address');
    }
    if (typeof password !== 'string' || password.length === 0) throw invalid('password must be a non-empty string');
    if (password.length < this.minPasswordLength) throw invalid(`password must have at least ${this.minPasswordLength} characters`);
    if (password.length > MAX_PASSWORD_LENGTH) throw invalid(`password must have at most ${MAX_PASSWORD_LENGTH} characters`);
    return { email: email.trim(), password };
  }
}

function invalid(message: string): BadRequestException {
  return new BadRequestException({ message });
}
