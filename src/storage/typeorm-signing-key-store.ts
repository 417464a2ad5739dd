import { type DataSource, In, type Repository } from 'typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity';
import type { SigningKeyStore, StoredSigningKey } from './signing-key-store';

/** The default {@link SigningKeyStore}: a table with a unique `(algorithm, generation)` constraint. */
export class TypeOrmSigningKeyStore implements SigningKeyStore {
  private readonly repository: Repository<SigningKeyEntity>;

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(SigningKeyEntity);
  }

  list(): Promise<StoredSigningKey[]> {
    return this.repository.find({ order: { createdAt: 'ASC' } });
  }

  async insert(key: StoredSigningKey): Promise<boolean> {
    try {
      await this.repository.insert(key);
      return true;
    } catch (error) {
      // The unique constraint refused it: another instance created this generation first.
      if (await this.repository.exists({ where: { algorithm: key.algorithm, generation: key.generation } })) return false;
      throw error;
    }
  }

  async delete(kids: string[]): Promise<void> {
    if (kids.length > 0) await this.repository.delete({ kid: In(kids) });
  }
}
