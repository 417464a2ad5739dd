import { SessionEntity } from './session.entity';
import { SigningKeyEntity } from './signing-key.entity';

export { SessionEntity, SigningKeyEntity };

/** Every entity the module needs; list them in your DataSource if you do not use `autoLoadEntities`. */
export const SESSION_ENTITIES = [SessionEntity, SigningKeyEntity];
