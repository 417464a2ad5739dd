import { Module } from '@nestjs/common';
import { ArticlesController } from './articles.controller';
import { ArticlesService } from './articles.service';

/** Permission-gated articles: `GET /articles`, `GET /articles/:id` ("read"), `POST /articles/:id/edit` ("edit"). */
@Module({
  providers: [ArticlesService],
  controllers: [ArticlesController],
})
export class ArticlesModule {}
