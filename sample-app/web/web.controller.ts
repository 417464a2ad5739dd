import { applyDecorators, Controller, Get, Header } from '@nestjs/common';
import { Public } from '../../src';
import { PUBLIC_FILES, type PublicFileName, PublicFiles } from './public-files';

/** Headers of a served file: its type, no caching (edits show on reload), no MIME sniffing. */
function ServesFile(name: PublicFileName) {
  return applyDecorators(
    Header('Content-Type', PUBLIC_FILES[name]),
    Header('Cache-Control', 'no-cache'),
    Header('X-Content-Type-Options', 'nosniff'),
  );
}

/** The demo page at `/`: plain HTML and one script, no build step. */
@Public()
@Controller()
export class WebController {
  constructor(private readonly files: PublicFiles) {}

  @Get()
  @ServesFile('index.html')
  @Header('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
  index(): string {
    return this.files.read('index.html');
  }

  @Get('app.js')
  @ServesFile('app.js')
  script(): string {
    return this.files.read('app.js');
  }
}
