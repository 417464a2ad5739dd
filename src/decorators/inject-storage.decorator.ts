import { Inject } from '@nestjs/common';
import { SESSION_DATA_SOURCE } from '../session.constants';
import { SessionStore } from '../storage/session-store';

/** Injects the module's {@link SessionStore} (the `store` option, or the TypeORM store). */
export const InjectSessionStore = (): PropertyDecorator & ParameterDecorator => Inject(SessionStore);

/** Injects the TypeORM DataSource the module stores in (`undefined` when every store is a custom one). */
export const InjectSessionDataSource = (): PropertyDecorator & ParameterDecorator => Inject(SESSION_DATA_SOURCE);
