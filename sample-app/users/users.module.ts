import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoUsersSeeder } from './demo-users.seeder';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

/** The user store: accounts, password hashing, email-verified state, demo users. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [UsersService, PasswordHasher, DemoUsersSeeder],
  exports: [UsersService, DemoUsersSeeder],
})
export class UsersModule {}
