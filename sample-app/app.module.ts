import { Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SessionModule } from '../src';
import { AuthModule } from './auth/auth.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample-config';
import { SampleConfigModule } from './config/sample-config.module';
import { sampleDatabaseOptions } from './database/database-options';
import { ProfileModule } from './profile/profile.module';
import { sampleSessionOptions } from './session/session-options';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';

/**
 * The sample app: infrastructure (config, database, sessions) first, then one module per feature.
 * Configuration is read when the app boots, so tests can set `SAMPLE_DB=:memory:` before creating it.
 */
@Module({
  imports: [
    SampleConfigModule,
    TypeOrmModule.forRootAsync({
      inject: [SAMPLE_CONFIG],
      useFactory: (config: SampleConfig) => ({ ...sampleDatabaseOptions(config), autoLoadEntities: true, synchronize: true }),
    }),
    SessionModule.forRootAsync({
      inject: [SAMPLE_CONFIG, getDataSourceToken()],
      useFactory: (config: SampleConfig, appDataSource: DataSource) => sampleSessionOptions(config, appDataSource),
    }),
    UsersModule,
    AuthModule,
    ProfileModule,
    WebModule,
  ],
})
export class AppModule {}
