import type { Provider } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { SessionConfig } from '../config/session-config';
import { SessionConfigError } from '../errors/session-config-error';
import { SESSION_CONFIG, SESSION_DATA_SOURCE } from '../session.constants';
import { SESSION_ENTITIES } from './entities';
import { SessionEntity } from './entities/session.entity';

/** DataSources the module opened itself (and so must close). */
export const OWNED_DATA_SOURCES = new WeakSet<DataSource>();

/** The app's DataSource when given, else one the module opens from `database`. */
export const sessionDataSourceProvider: Provider = {
  provide: SESSION_DATA_SOURCE,
  inject: [SESSION_CONFIG],
  useFactory: async (config: SessionConfig): Promise<DataSource> => {
    if (config.dataSource) {
      const dataSource = config.dataSource;
      if (!dataSource.isInitialized) await dataSource.initialize();
      if (!dataSource.hasMetadata(SessionEntity)) {
        throw new SessionConfigError(
          'the DataSource given to SessionModule does not know the session entities: add SESSION_ENTITIES to its entities (or use autoLoadEntities)',
        );
      }
      if (config.synchronize) await dataSource.synchronize();
      return dataSource;
    }
    const dataSource = new DataSource({
      ...config.database,
      entities: [...SESSION_ENTITIES],
      synchronize: config.synchronize ?? true,
    } as DataSourceOptions);
    await dataSource.initialize();
    OWNED_DATA_SOURCES.add(dataSource);
    return dataSource;
  },
};
