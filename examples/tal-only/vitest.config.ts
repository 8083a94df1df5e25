import { chimeraProject } from '../../vitest.shared.ts';

export default chimeraProject('example-tal-only');
