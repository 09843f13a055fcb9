// The content-addressed copy lives in src/platform/registry (the CLI's track-data uses it too).
export { storeFileBlob } from '../../platform/registry/storeFileBlob';
