import { chimeraProject } from '../../vitest.shared.ts';

export default chimeraProject('phoenix');
