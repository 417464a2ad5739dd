import { type ColumnType, type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { TABLES } from '../table-names';

const DEVICE_COLUMNS = [
  { name: 'created_ip', length: '64' },
  { name: 'created_user_agent', length: '512' },
  { name: 'last_ip', length: '64' },
  { name: 'last_user_agent', length: '512' },
];

/** Device metadata of sessions (IP and user agent at creation and at the last refresh); nullable, so existing rows stay valid. */
export class AddSessionDeviceColumns1763800000100 implements MigrationInterface {
  name = 'AddSessionDeviceColumns1763800000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const driver = queryRunner.connection.driver;
    const table = await queryRunner.getTable(TABLES.sessions);
    const missing = DEVICE_COLUMNS.filter((column) => !table?.findColumnByName(column.name));
    if (missing.length === 0) return;
    await queryRunner.addColumns(
      TABLES.sessions,
      missing.map(
        (column) =>
          new TableColumn({ name: column.name, type: driver.normalizeType({ type: 'varchar' as ColumnType, length: column.length }), length: column.length, isNullable: true }),
      ),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [...DEVICE_COLUMNS].reverse()) await queryRunner.dropColumn(TABLES.sessions, column.name);
  }
}
