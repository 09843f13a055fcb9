// Reads the folder a user deploys (cloud_model.py, modelcloud.yaml, requirements, models) through
// the packaging code's loader; its errors become DeployErrors with the same actionable message.
import { loadServiceFolder, ServiceFolderError, type ServiceFolder } from '../packaging/serviceFolder';
import { DeployError } from './serviceManager.api';

export async function loadService(dir: string): Promise<ServiceFolder> {
  try {
    return await loadServiceFolder(dir);
  } catch (error) {
    if (error instanceof ServiceFolderError) throw new DeployError(error.message, '');
    throw error;
  }
}
