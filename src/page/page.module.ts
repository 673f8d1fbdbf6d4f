import { Module } from '@nestjs/common';
import { PageController } from './page.controller.js';

/** The web page for community staff and grid workers (the one form), served by the app itself. */
@Module({ controllers: [PageController] })
export class PageModule {}
