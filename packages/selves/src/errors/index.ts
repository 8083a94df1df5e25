export { AdapterFormatError, type AdapterFormatErrorCode } from './adapter-format-error';
export { CompositionError } from './composition-error';
export { SelfNotFoundError } from './self-not-found-error';
export { SelvesError } from './selves-error';
