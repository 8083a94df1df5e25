export {
  type CandidateOptions,
  type CandidateSource,
  goalValues,
  salientValues,
  webCandidates,
} from './candidates';
export { type Catalog, generateCatalog, type Product } from './site/catalog';
export type { EpisodeSetup, EpisodeState, PlacedOrder, SupportTicket } from './site/episode-state';
export { INJECTION_URL, type NoisyPageFacts, noisyPageFacts } from './site/noisy-page';
export {
  type CheckoutEffect,
  confirmLabelOf,
  generateSiteVariant,
  KNOWN_SITES,
  type Prerequisite,
  type SiteConventions,
  type SiteVariant,
  siteVariantByKey,
} from './site/site-variant';
export { EPISODE_COOKIE, startTaskSite, type TaskSite, type TaskSiteOptions } from './site/task-site-server';
export type { VerdictInput, WebTaskFamily, WebTaskParams, WebTaskSpec } from './tasks/web-task';
export {
  createWebTaskGenerator,
  WEB_TASK_FAMILIES,
  type WebTaskGenerator,
  webTaskFamily,
} from './tasks/web-task-generator';
export { createWebEnvironment, type WebEnvironment, type WebEnvironmentOptions } from './web-environment';
export { WebEpisodeSession, type WebObservationData, type WebSessionOptions } from './web-session';
export { WebWorldError } from './web-world-error';
