import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../epoch-ms.transformer';
import { TABLES } from '../table-names';

/** A role that can be granted to users (see `UserRolesService`). */
@Entity({ name: TABLES.roles })
export class RoleEntity {
  @PrimaryColumn({ name: 'role', type: 'varchar', length: 255 })
  role!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMsTransformer })
  createdAt!: number;
}
