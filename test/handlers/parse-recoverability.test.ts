/** `/vault recover`, `drill`, `drills` and `report`: every form, and each mistake answered with what was wrong and the right form. */
import { describe, expect, it } from 'vitest';
import { parseVaultCommand } from '../../src/handlers/parse-command.js';

describe('parseVaultCommand: recover, drill, drills, report', () => {
  it.each([
    ['recover secret/smtp', { name: 'recover', path: 'secret/smtp', from: 'latest' }],
    ['recover secret/tenants/acme/ from 2025-11-26', { name: 'recover', path: 'secret/tenants/acme/', from: '2025-11-26' }],
    ['RECOVER secret/smtp FROM latest', { name: 'recover', path: 'secret/smtp', from: 'latest' }],
    ['drill restore-test', { name: 'drill', scenario: 'restore-test' }],
    ['drill backup-integrity 5', { name: 'drill', scenario: 'backup-integrity', newest: 5 }],
    ['drill SEAL', { name: 'drill', scenario: 'seal' }],
    ['drill rotation', { name: 'drill', scenario: 'rotation' }],
    ['drills', { name: 'drills', limit: 10 }],
    ['drills 20', { name: 'drills', limit: 20 }],
    ['report', { name: 'report' }],
    ['report 2025-11-01', { name: 'report', from: '2025-11-01' }],
    ['report 2025-11-01 2025-11-30', { name: 'report', from: '2025-11-01', to: '2025-11-30' }],
  ])('%j', (text, expected) => {
    expect(parseVaultCommand(text)).toEqual(expected);
  });

  it.each([
    ['recover', '`recover` needs the KV path', '/vault recover <kv-path | kv-path/>'],
    ['recover secret/smtp since monday', '"since monday" is not "from <YYYY-MM-DD|latest|key>"', '/vault recover'],
    ['recover secret/smtp from', '"from" is not "from <YYYY-MM-DD|latest|key>"', '/vault recover'],
    ['drill', '`drill` needs a scenario', '/vault drill <restore-test|backup-integrity [N]|seal|rotation>'],
    ['drill fire', '"fire" is not a drill scenario', '/vault drill'],
    ['drill seal 3', 'only backup-integrity takes a count', '/vault drill'],
    ['drill backup-integrity 0', 'only backup-integrity takes a count', '/vault drill'],
    ['drills 0', '"0" is not a count from 1 to 50', '/vault drills [N]'],
    ['report yesterday', '"yesterday" is not a date', '/vault report [YYYY-MM-DD [YYYY-MM-DD]]'],
    ['report 2025-02-30', '"2025-02-30" is not a date', '/vault report'],
    ['report 2025-11-30 2025-11-01', '2025-11-30 is after 2025-11-01', '/vault report'],
    ['report 2025-11-01 2025-11-02 2025-11-03', 'has too many words', '/vault report'],
  ])('%j is refused with what was wrong and the form', (text, problem, form) => {
    const parsed = parseVaultCommand(text);
    expect(parsed).toMatchObject({ name: 'usage' });
    if (parsed.name !== 'usage') return;
    expect(parsed.problem).toContain(problem);
    expect(parsed.usage).toContain(form);
  });
});
