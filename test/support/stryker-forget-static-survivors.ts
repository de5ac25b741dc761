// Drops the static mutants that survived (or were not covered) from StrykerJS's incremental report, so the next
// `make mutation` tests them again. Stryker reuses a result that is not "Killed" when no test covering the mutant
// changed; a static mutant (run once at module load, e.g. a constant's string) is covered by no test in particular,
// so it keeps a survivor's status from a run long ago, whatever tests were added since.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/stryker-incremental.json';
interface Mutant {
  static?: boolean;
  status: string;
}
const report = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { mutants: Mutant[] }> };
let dropped = 0;
for (const result of Object.values(report.files)) {
  const kept = result.mutants.filter((m) => !(m.static === true && (m.status === 'Survived' || m.status === 'NoCoverage')));
  dropped += result.mutants.length - kept.length;
  result.mutants = kept;
}
writeFileSync(file, JSON.stringify(report, null, 2));
console.log(`${file}: ${dropped} static survivors dropped; the next run tests them again`);
