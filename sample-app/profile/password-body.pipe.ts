import { BadRequestException, type PipeTransform } from '@nestjs/common';

// Bounds the work scrypt does on attacker input (as the credentials pipe).
const MAX_PASSWORD_LENGTH = 1024;

/** Validates a `{ password }` body (the step-up prompt); anything else is a 400 `{"message": ...}`. */
export class PasswordBodyPipe implements PipeTransform<unknown, string> {
  transform(body: unknown): string {
    const { password } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
      throw new BadRequestException({ message: 'password must be a non-empty string' });
    }
    return password;
  }
}
