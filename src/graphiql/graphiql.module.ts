import { Controller, Get, type MiddlewareConsumer, Module, type NestModule, NotFoundException, Param, RequestMethod, Res } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../access/access.decorators.js';
import { ASSET_PATH, ASSETS, graphiqlHtml } from './graphiql.page.js';

@Public()
@Controller(ASSET_PATH.slice(1))
class GraphiqlAssetsController {
  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new NotFoundException();
    res.type(asset.type).setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(asset.file);
  }
}

/** A browser opening /graphql gets the IDE; GraphQL requests (POST, or GET with a query) go to the server. */
function graphiqlPage(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
    res.type('html').send(graphiqlHtml(req.originalUrl.split('?')[0]));
    return;
  }
  next();
}

@Module({ controllers: [GraphiqlAssetsController] })
export class GraphiqlModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(graphiqlPage).forRoutes({ path: 'graphql', method: RequestMethod.GET });
  }
}
