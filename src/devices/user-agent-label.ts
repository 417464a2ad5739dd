/** What a `User-Agent` says about the device, for "your devices" lists (best effort, never trusted for security). */
export interface DeviceLabel {
  /** e.g. `Chrome 120`, `Firefox 121`, `Safari 17`; `Unknown browser` when not recognised. */
  browser: string;
  /** e.g. `Windows`, `macOS`, `iOS`, `Android 14`, `Linux`; `Unknown OS` when not recognised. */
  os: string;
  /** `mobile`, `tablet`, `desktop`, `bot` or `unknown`. */
  type: 'mobile' | 'tablet' | 'desktop' | 'bot' | 'unknown';
  /** One line for people: `Chrome 120 on Windows`. */
  label: string;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: Array<[name: string, pattern: RegExp]> = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\b(?:OPR|Opera)\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//],
  ['curl', /^curl\/(\d+)/],
  ['Postman', /^PostmanRuntime\/(\d+)/],
  ['okhttp', /^okhttp\/(\d+)/],
  ['node-fetch', /^node-fetch\/(\d+)/],
];

const BOT = /bot|crawler|spider|slurp|headless/i;

/** Parses the common browsers and systems; unknown agents get "Unknown ..." parts, never an error. */
export function parseUserAgent(userAgent: string | null | undefined): DeviceLabel {
  const ua = userAgent ?? '';
  const browser = browserOf(ua);
  const os = osOf(ua);
  const type = typeOf(ua, os);
  const label = ua ? `${browser} on ${os}` : 'Unknown device';
  return { browser, os, type, label };
}

function browserOf(ua: string): string {
  for (const [name, pattern] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) return `${name} ${match[1]}`;
  }
  return 'Unknown browser';
}

function osOf(ua: string): string {
  if (/Windows NT/.test(ua)) return 'Windows';
  if (/iPhone|iPad|iPod/.test(ua)) return 'iOS';
  const android = /Android (\d+)/.exec(ua);
  if (android) return `Android ${android[1]}`;
  if (/Android/.test(ua)) return 'Android';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Mac OS X|Macintosh/.test(ua)) return 'macOS';
  if (/Linux/.test(ua)) return 'Linux';
  return 'Unknown OS';
}

function typeOf(ua: string, os: string): DeviceLabel['type'] {
  if (!ua) return 'unknown';
  if (BOT.test(ua)) return 'bot';
  if (/iPad|Tablet/.test(ua) || (os.startsWith('Android') && !/Mobile/.test(ua))) return 'tablet';
  if (/Mobi|iPhone|iPod/.test(ua)) return 'mobile';
  if (os === 'Unknown OS') return 'unknown';
  return 'desktop';
}
