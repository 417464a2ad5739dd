import { Global, Module } from '@nestjs/common';
import { Outbox } from './outbox.service';

/** The app's (pretend) message gateway, available everywhere. */
@Global()
@Module({
  providers: [Outbox],
  exports: [Outbox],
})
export class OutboxModule {}
