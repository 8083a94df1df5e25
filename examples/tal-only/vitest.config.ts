import { chimeraProject } from '../../vitest.shared';

export default chimeraProject('example-tal-only');
