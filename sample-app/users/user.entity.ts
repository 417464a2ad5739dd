import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user of the sample app. Lives in the same SQLite file as the session tables. */
@Entity({ name: 'sample_users' })
export class UserEntity {
  /** A random UUID; it is the session's `userId` (`sub` of the access token). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Trimmed and lower-cased, so `Alice@Example.com` and `alice@example.com` are one account. */
  @Column({ type: 'varchar', length: 254, unique: true })
  email!: string;

  /** `scrypt$N$r$p$salt$hash` (see `PasswordHasher`); never the password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  /** When the user opened their verification link; `null` until then (the session's `st-ev` claim reads this). */
  @Column({ name: 'email_verified_at', type: 'datetime', nullable: true })
  emailVerifiedAt!: Date | null;
}
