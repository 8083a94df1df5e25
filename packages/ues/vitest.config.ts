import { chimeraProject } from '../../vitest.shared';

export default chimeraProject('ues');
