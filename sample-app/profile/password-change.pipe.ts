import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** A validated `{ currentPassword, newPassword }` body. */
export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

// Bounds the work scrypt does on attacker input (as the credentials pipe).
const MAX_PASSWORD_LENGTH = 1024;

/** Validates a password-change body; anything else is a 400 `{"message": ...}`. */
export class PasswordChangePipe implements PipeTransform<unknown, PasswordChange> {
  constructor(private readonly minPasswordLength: number) {}

  transform(body: unknown): PasswordChange {
    const { currentPassword, newPassword } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (typeof currentPassword !== 'string' || currentPassword.length === 0 || currentPassword.length > MAX_PASSWORD_LENGTH) {
      throw new BadRequestException({ message: 'currentPassword must be a non-empty string' });
    }
    if (typeof newPassword !== 'string' || newPassword.length < this.minPasswordLength || newPassword.length > MAX_PASSWORD_LENGTH) {
      throw new BadRequestException({ message: `newPassword must have ${this.minPasswordLength} to ${MAX_PASSWORD_LENGTH} characters` });
    }
    return { currentPassword, newPassword };
  }
}
