import { applyDecorators, Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../../src';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config';
import { PUBLIC_FILES, type PublicFileName, PublicFiles } from './public-files';

/** Headers of a served file: its type, no caching (edits show on reload), no MIME sniffing. */
function ServesFile(name: PublicFileName | 'config.js') {
  return applyDecorators(
    Header('Content-Type', name === 'config.js' ? PUBLIC_FILES['app.js'] : PUBLIC_FILES[name]),
    Header('Cache-Control', 'no-cache'),
    Header('X-Content-Type-Options', 'nosniff'),
  );
}

/** What the page reads from `config.js` before it starts (a page served elsewhere gets its own). */
export interface PageConfig {
  /** Where the API is; omitted here, so the page uses its own origin. */
  apiDomain?: string;
  apiBasePath: string;
  tokenTransferMethod: 'cookie' | 'header';
}

/** The demo page at `/`: HTML, a stylesheet, its config and the script bundle built from `sample-app/frontend/`. */
@Public()
@Controller()
export class WebController {
  constructor(
    private readonly files: PublicFiles,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @Get()
  @ServesFile('index.html')
  @Header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'")
  index(): string {
    return this.files.read('index.html')!;
  }

  @Get('styles.css')
  @ServesFile('styles.css')
  styles(): string {
    return this.files.read('styles.css')!;
  }

  @Get('app.js')
  @ServesFile('app.js')
  script(): string {
    const bundle = this.files.read('app.js');
    if (bundle === undefined) throw new ServiceUnavailableException({ message: 'the page script is not built: run "npm run build:frontend"' });
    return bundle;
  }

  @Get('config.js')
  @ServesFile('config.js')
  pageConfig(): string {
    const config: PageConfig = { apiBasePath: '/auth', tokenTransferMethod: this.config.tokenTransferMethod };
    return `window.NEWSROOM_CONFIG = ${JSON.stringify(config)};\n`;
  }
}
