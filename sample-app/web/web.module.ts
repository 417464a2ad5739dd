import { Module } from '@nestjs/common';
import { PublicFiles } from './public-files';
import { WebController } from './web.controller';

/** Serves the demo page. */
@Module({
  providers: [PublicFiles],
  controllers: [WebController],
})
export class WebModule {}
