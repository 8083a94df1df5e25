/**
 * The blueprint's initial roster (Section 5, Table 3) plus the two Selves its text names
 * (Web_Researcher, Summarizer). Skills are the words task generators put in `TaskSpec.tags` and
 * family names (web: navigation, forms, checkout, extraction, tabs, reading, site-knowledge;
 * Minecraft: gathering, mining, crafting, recipes, building, spatial, cooperation): they seed the
 * Meta-Cognitive Controller's priors, which experience then overrides.
 */
import type { SelfMetadataInput } from './self-metadata';

export const META_COGNITIVE_CONTROLLER = 'Meta_Cognitive_Controller';

export const DEFAULT_ROSTER: readonly SelfMetadataInput[] = Object.freeze([
  {
    name: META_COGNITIVE_CONTROLLER,
    function: 'High-level strategy, planning, self-assessment, and orchestration of other Selves.',
    domains: ['Agent-Internal'],
    coreTasks: ['Goal decomposition', 'Self selection', 'Learning objective formulation'],
    activationTriggers: ['New user goal', "Start of 'Sleep' phase"],
    skills: ['orchestration', 'self-assessment'],
    acting: false,
  },
  {
    name: 'Planner_Self',
    function: 'Decomposes complex goals into a sequence of smaller, actionable sub-tasks.',
    domains: ['General'],
    coreTasks: ['Chain-of-thought reasoning', 'Task scheduling'],
    activationTriggers: ['Complex, multi-step user goals'],
    skills: ['procedures', 'multi-step', 'site-knowledge', 'planning', 'cooperation'],
  },
  {
    name: 'MINDcraft_Explorer',
    function: 'Navigation, resource identification, and mapping within the MINDcraft environment.',
    domains: ['MINDcraft'],
    coreTasks: ['Pathfinding', 'Observing environment', 'Updating internal map'],
    activationTriggers: ['Goal: "Find a cave" or "Explore the area."'],
    skills: ['gathering', 'mining', 'exploration', 'gather-logs', 'mine-stone'],
    environments: ['minecraft'],
  },
  {
    name: 'MINDcraft_Builder',
    function: 'Executes construction plans, placing blocks according to a schema.',
    domains: ['MINDcraft'],
    coreTasks: ['Block placement', 'Structure verification'],
    activationTriggers: ['Goal: "Build a house."'],
    skills: ['crafting', 'recipes', 'building', 'spatial', 'build-structure', 'craft-wooden-pickaxe'],
    environments: ['minecraft'],
  },
  {
    name: 'Playwright_Navigator',
    function: 'Navigates web pages by clicking links, using navigation menus, and managing tabs.',
    domains: ['Playwright'],
    coreTasks: ['Link clicking', 'Back/forward navigation', 'URL loading'],
    activationTriggers: ['Goal: "Find the contact page on website.com."'],
    skills: ['navigation', 'tabs', 'multi-tab'],
    environments: ['web'],
  },
  {
    name: 'Form_Filler',
    function: 'Identifies and completes input fields, dropdowns, and buttons on web forms.',
    domains: ['Playwright'],
    coreTasks: ['Element identification', 'Text input', 'Button clicking'],
    activationTriggers: ['Sub-task: "Complete the checkout form."'],
    skills: ['forms', 'form-filling', 'checkout'],
    environments: ['web'],
  },
  {
    name: 'Reflector_Self',
    function:
      'Analyzes past failure trajectories from the UES to identify root causes and generate insights.',
    domains: ['Agent-Internal'],
    coreTasks: ['Error analysis', 'Credit assignment', 'Hypothesis generation'],
    activationTriggers: ["High TD-error batches during 'Sleep' phase"],
    skills: ['reflection', 'diagnosis'],
    acting: false,
  },
  {
    name: 'Web_Researcher',
    function: 'Searches sites and extracts the requested information from pages.',
    domains: ['Playwright'],
    coreTasks: ['Search', 'Information extraction'],
    activationTriggers: ['Goal: "Find out ..." or "Look up ..."'],
    skills: ['extraction', 'search', 'search-extract'],
    environments: ['web'],
  },
  {
    name: 'Summarizer',
    function: 'Reads pages carefully and reports the result, ignoring distractors.',
    domains: ['Playwright'],
    coreTasks: ['Reading', 'Reporting results'],
    activationTriggers: ['Sub-task: "Report the answer."'],
    skills: ['reading', 'summarization', 'distractors'],
    environments: ['web'],
  },
]);
