import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** Validates a `{ "role": "editor" }` body and returns the role; anything else is a 400. */
export class RoleBodyPipe implements PipeTransform<unknown, string> {
  transform(body: unknown): string {
    const role = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).role : undefined;
    if (typeof role !== 'string' || role.length === 0 || role.length > 255) {
      throw new BadRequestException({ message: 'the body must be {"role": "<role name>"}' });
    }
    return role;
  }
}
