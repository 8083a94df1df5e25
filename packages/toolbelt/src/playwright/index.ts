export { BrowserLaunchError } from './browser-launch-error';
export {
  type BrowserLaunchOptions,
  BrowserManager,
  DEFAULT_CHROMIUM_ARGS,
  DEFAULT_CHROMIUM_PATH,
  resolveChromiumPath,
} from './browser-manager';
export { type ActionResult, BrowserSession, type BrowserSessionOptions } from './browser-session';
export { type AllowlistVerdict, OriginAllowlist, originGuard } from './origin-allowlist';
export {
  type ObservedElement,
  type PageObservation,
  renderElement,
  type SummarizeOptions,
  summarizePage,
  type TabInfo,
} from './page-observation';
export type { PageScriptOptions, RawPageBlock, RawPageElement, RawPageSnapshot } from './page-script';
export {
  createPlaywrightToolset,
  type PlaywrightToolset,
  type PlaywrightToolsetOptions,
} from './playwright-toolset';
export { type ScreenshotOptions, takeScreenshot } from './screenshot';
