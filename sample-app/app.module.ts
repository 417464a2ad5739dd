import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionModule } from '../src';
import { AdminModule } from './admin/admin.module';
import { ArticlesModule } from './articles/articles.module';
import { AuthModule } from './auth/auth.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample-config';
import { SampleConfigModule } from './config/sample-config.module';
import { sampleDatabaseOptions } from './database/database-options';
import { EmailVerificationModule } from './email-verification/email-verification.module';
import { OutboxModule } from './outbox/outbox.module';
import { ProfileModule } from './profile/profile.module';
import { RolesModule } from './roles/roles.module';
import { SecurityModule } from './security/security.module';
import { sampleSessionOptions } from './session/session-options';
import { TwoFactorModule } from './two-factor/two-factor.module';
import { UsersModule } from './users/users.module';
import { UsersService } from './users/users.service';
import { WebModule } from './web/web.module';

/**
 * The sample app: infrastructure (config, database, sessions, outbox) first, then one module per feature.
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
      // Store sessions in the DataSource above (one connection; its entities come with autoLoadEntities).
      dataSourceName: 'default',
      // UsersService is the source of the st-ev claim (isEmailVerified).
      imports: [UsersModule],
      inject: [SAMPLE_CONFIG, UsersService],
      useFactory: (config: SampleConfig, users: UsersService) => sampleSessionOptions(config, users),
    }),
    OutboxModule,
    UsersModule,
    RolesModule,
    AuthModule,
    TwoFactorModule,
    EmailVerificationModule,
    ProfileModule,
    ArticlesModule,
    AdminModule,
    SecurityModule,
    WebModule,
  ],
})
export class AppModule {}
