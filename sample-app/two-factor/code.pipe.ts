import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** Validates a `{ "code": "123456" }` body and returns the code; anything else is a 400. */
export class CodePipe implements PipeTransform<unknown, string> {
  transform(body: unknown): string {
    const code = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).code : undefined;
    if (typeof code !== 'string' || !/^\d{6}$/.test(code)) {
      throw new BadRequestException({ message: 'the body must be {"code": "<6 digits>"}' });
    }
    return code;
  }
}
