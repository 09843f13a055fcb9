// Every command the extension registers, in one place: package.json contributes the same ids
// (the integration suite checks both directions).

export const COMMAND = {
  refresh: 'modelcloud.refresh',
  ingestNow: 'modelcloud.ingestNow',
  showOutput: 'modelcloud.showOutput',
  undoLastDelete: 'modelcloud.undoLastDelete',
  runOpenSource: 'modelcloud.run.openSource',
  runCopyId: 'modelcloud.run.copyId',
  runRename: 'modelcloud.run.rename',
  runAddTag: 'modelcloud.run.addTag',
  runDelete: 'modelcloud.run.delete',
  experimentRename: 'modelcloud.experiment.rename',
  experimentDelete: 'modelcloud.experiment.delete',
  compareRuns: 'modelcloud.compareRuns',
  runOpenDetail: 'modelcloud.run.openDetail',
  runRestore: 'modelcloud.run.restore',
  runDeletePermanently: 'modelcloud.run.deletePermanently',
  /** Target of the tree's "Show more…" node; not in the Command Palette. */
  experimentsShowMore: 'modelcloud.experiments.showMore',
  // Model services (issue #4): commands on folders with a cloud_model.py…
  packageService: 'modelcloud.packageService',
  deployService: 'modelcloud.deployService',
  inspectService: 'modelcloud.inspectService',
  // …and on the Deployments view's services and revisions.
  deploymentsRefresh: 'modelcloud.deployments.refresh',
  serviceOpenDocs: 'modelcloud.service.openDocs',
  serviceTailLogs: 'modelcloud.service.tailLogs',
  serviceStop: 'modelcloud.service.stop',
  serviceRestart: 'modelcloud.service.restart',
  serviceScale: 'modelcloud.service.scale',
  serviceRollback: 'modelcloud.service.rollback',
  serviceCopyUrl: 'modelcloud.service.copyUrl',
  serviceHotUpdate: 'modelcloud.service.hotUpdate',
  revisionRollbackTo: 'modelcloud.revision.rollbackTo',
  // Model registry (issue #5): the Models view's versions, and registration.
  modelTransitionStage: 'modelcloud.model.transitionStage',
  modelSetAlias: 'modelcloud.model.setAlias',
  modelOpenSourceRun: 'modelcloud.model.openSourceRun',
  modelCopyUri: 'modelcloud.model.copyUri',
  modelDeleteVersion: 'modelcloud.model.deleteVersion',
  modelPush: 'modelcloud.model.push',
  modelPull: 'modelcloud.model.pull',
  registerModelFile: 'modelcloud.registerModelFile',
  registerModelFromRun: 'modelcloud.registerModelFromRun',
  selectBestModelVersion: 'modelcloud.selectBestModelVersion',
  // Team sync (issue #5 item 6): run logs and the registry through a remote.
  sync: 'modelcloud.sync',
  syncShowConflicts: 'modelcloud.sync.showConflicts',
  // Notebooks (issue #6): the cell CodeLens of a run card; not in the Command Palette.
  notebookOpenRun: 'modelcloud.notebooks.openRun',
  modelOpenVersion: 'modelcloud.openModelVersion',
  modelCompareVersions: 'modelcloud.model.compareVersions',
  trackDataFile: 'modelcloud.trackDataFile',
  setRemoteCredentials: 'modelcloud.setRemoteCredentials',
  clearRemoteCredentials: 'modelcloud.clearRemoteCredentials',
  // Monitoring (issue #7 item 4): the dashboard of a deployment's /metrics.
  openMonitoring: 'modelcloud.openMonitoring',
  // A/B experiments (issue #7 item 3): the dashboard, the create form and the A/B Experiments view.
  abOpen: 'modelcloud.abtest.open',
  abCreate: 'modelcloud.abtest.create',
  abRefresh: 'modelcloud.abtest.refresh',
} as const;

export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

export const VIEW = {
  experiments: 'modelcloud.experiments',
  models: 'modelcloud.models',
  deployments: 'modelcloud.deployments',
  abExperiments: 'modelcloud.abExperiments',
} as const;

/** Settings of the services feature (section `modelcloud.services`). */
export const SERVICES_SETTINGS = {
  section: 'modelcloud.services',
  containerEngine: 'containerEngine',
  baseImage: 'baseImage',
  defaultTarget: 'defaultTarget',
  autoRollbackErrorRate: 'autoRollbackErrorRate',
} as const;

/** Settings of the monitoring feature (section `modelcloud.monitoring`). */
export const MONITORING_SETTINGS = { section: 'modelcloud.monitoring', intervalSeconds: 'intervalSeconds', alerts: 'alerts' } as const;

/** Settings of the model registry (section `modelcloud.registry`). */
export const REGISTRY_SETTINGS = { section: 'modelcloud.registry', environments: 'environments' } as const;

/** Setting read by the Experiments tree. */
export const PRIMARY_METRIC_SETTING = { section: 'modelcloud.experiments', key: 'primaryMetric' } as const;

/** Settings of the notebook feature (section `modelcloud.notebooks`). */
export const NOTEBOOK_SETTINGS = { section: 'modelcloud.notebooks', autoLoad: 'autoLoad' } as const;
