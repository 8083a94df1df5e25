export {
  type DetectHardwareOptions,
  detectHardware,
  GB,
  GiB,
  type GpuInfo,
  type HardwareProfile,
  knownBandwidth,
  parseNvidiaSmiCsv,
  RTX_5090_WORKSTATION,
  withRam,
} from './hardware-profile';
export { MemoryPlanError } from './memory-error';
export {
  type AdapterSpec,
  formatPlan,
  type MemoryPlan,
  type ModelSpec,
  type Placement,
  type PlanMemoryInput,
  type PlanMode,
  type PlanOptions,
  planMemory,
  type Tier,
} from './memory-planner';
