import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { PermissionClaim, RequireClaim, Session, VerifySession } from '../../src';
import { type ArticleEdit, ArticleEditPipe } from './article-edit.pipe';
import { type Article, ArticlesService } from './articles.service';

/**
 * Articles, gated by permissions (`st-perm`). The class requires "read", the edit route adds
 * "edit": `@RequireClaim` requirements of class and method add up, on top of the global
 * validators (verified email, completed 2FA).
 *
 * `checkDatabase: true` makes a role granted or revoked by an admin count on the user's next
 * request (see `RoleGrantsService`): the stored session payload is read, and a token carrying
 * the new permissions is issued in the same response.
 */
@Controller('articles')
@VerifySession({ checkDatabase: true })
@RequireClaim(PermissionClaim.validators.includes('read'))
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  list(): Article[] {
    return this.articles.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Article {
    return this.found(this.articles.find(id));
  }

  /** Needs the "edit" permission (roles "editor" and "admin"); 403 naming `st-perm` otherwise. */
  @Post(':id/edit')
  @HttpCode(200)
  @RequireClaim(PermissionClaim.validators.includes('edit'))
  edit(@Param('id') id: string, @Body(new ArticleEditPipe()) change: ArticleEdit, @Session('userId') userId: string): Article {
    return this.found(this.articles.edit(id, change, userId));
  }

  private found(article: Article | undefined): Article {
    if (!article) throw new NotFoundException({ message: 'no such article' });
    return article;
  }
}
