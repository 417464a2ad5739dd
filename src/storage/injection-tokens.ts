/** Injection token of the TypeORM DataSource the module stores sessions in. */
export const SESSION_DATA_SOURCE = 'nest-session:data-source';
