// Which stable port a service listens on. Pure. 0 means "let the OS choose a free one", which the
// seed asks for when no port is given; the chosen one is then remembered for the service.

export type PortChoice = { ok: true; port: number } | { ok: false; error: string };

export function chooseServicePort(opts: {
  service: string;
  /** --port / DeployRequest.port */
  requested?: number;
  /** the manifest's `port:` */
  manifestPort?: number;
  /** the port the service had before (remembered), if any */
  remembered?: number;
  /** the port its running supervisor listens on, if it is running */
  running?: number;
}): PortChoice {
  for (const [label, value] of [['--port', opts.requested], ['manifest port', opts.manifestPort]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 65535)) {
      return { ok: false, error: `${label} must be a whole number between 0 and 65535, got ${value}` };
    }
  }
  const wanted = opts.requested ?? opts.manifestPort;
  if (opts.running !== undefined) {
    if (wanted !== undefined && wanted !== 0 && wanted !== opts.running) {
      return {
        ok: false,
        error: `${opts.service} is running on port ${opts.running}; a running service keeps its port. ` +
          `Stop it first ('modelcloud stop ${opts.service}') to move it to ${wanted}, or deploy without --port`,
      };
    }
    return { ok: true, port: opts.running };
  }
  return { ok: true, port: wanted ?? opts.remembered ?? 0 };
}

/** Checks --workers: positive whole numbers up to a sane bound. */
export function validateWorkers(workers: number | undefined): string | undefined {
  if (workers === undefined) return undefined;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) return `workers must be a whole number from 1 to 64, got ${workers}`;
  return undefined;
}
