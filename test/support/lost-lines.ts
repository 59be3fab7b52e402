/** The lines a re-adoption line says were lost: at least, at most (services/orchestrator/preview-supervisor.ts lostLinesNote). */
export const lostLinesSaid = (message: string): { atLeast: number; atMost: number } | undefined => {
  if (message.endsWith("; no line was lost")) return { atLeast: 0, atMost: 0 };
  const said = /; (?:(\d+) to )?(\d+) lines? the previous orchestrator had read but not yet delivered when it stopped (?:is|are) lost(?: \(\d+ (?:was|were) on the way to the logs service, and may have arrived\))?$/.exec(message);
  if (said === null) return undefined;
  const atMost = Number(said[2]);
  return { atLeast: said[1] === undefined ? atMost : Number(said[1]), atMost };
};
