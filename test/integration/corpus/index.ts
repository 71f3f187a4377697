import type { Script } from '../support/script.js';
import { adminScripts } from './admin.js';
import { arithmeticScripts } from './arithmetic.js';
import { errorScripts } from './errors.js';
import { metaScripts } from './meta.js';
import { retrievalScripts } from './retrieval.js';
import { storageScripts } from './storage.js';

export { expiryScripts } from './expiry.js';

/** Every hand-written script whose outcome does not depend on the clock. */
export const corpus: Script[] = [...storageScripts, ...retrievalScripts, ...arithmeticScripts, ...adminScripts, ...errorScripts, ...metaScripts];
