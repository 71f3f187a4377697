import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildServer, bytesFor, fetchAll, setCommand, statsOf } from '../support/child-server.js';

const KIB = 1024;
const QUEUE_BUDGET = 256 * KIB;
const VALUE = 16 * KIB;
const FLOOD = 2000;

/**
 * The disk tier's write queue has a byte budget: a client that floods sets
 * without reading its replies is held back (its socket is not read) while the
 * queue is full, other clients keep being served, and nothing acknowledged
 * is lost.
 */
describe('e2e: write queue budget and backpressure (CLI child process)', function () {
  this.timeout(120_000);
  let server: ChildServer | undefined;
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rat-flood-'));
  });
  after(async () => {
    await server?.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it('a flood of sets never takes the queue past its budget by more than one write; a reader is answered; all sets land', async () => {
    server = await ChildServer.start({
      args: ['--l2', 'on', '--data-dir', path.join(root, 'data'), '-m', '64'],
      env: { RAT_L2_WRITE_QUEUE_BYTES: String(QUEUE_BUDGET), RAT_L2_SYNC_WRITES: 'false' },
    });
    const reader = await server.connect();
    expect(await reader.exchange(setCommand('probe', 7, 0, Buffer.from('still here')), 'STORED\r\n')).to.equal('STORED\r\n');

    // The flooder writes everything at once and reads nothing until the end.
    const flooder = await server.connect();
    const values = Array.from({ length: FLOOD }, (_, i) => bytesFor(i, VALUE));
    const commands = values.map((v, i) => setCommand(`flood:${i}`, i, 0, v));
    for (let i = 0; i < commands.length; i += 64) flooder.send(Buffer.concat(commands.slice(i, i + 64)));

    // Gets on another connection are answered while the flood is being absorbed.
    let answered = 0;
    let sawPaused = false;
    for (let i = 0; i < 200; i++) {
      const got = await fetchAll(reader, ['probe']);
      if (got.get('probe')?.value.toString() === 'still here') answered++;
      if (!sawPaused && i % 20 === 0) {
        const st = await statsOf(reader);
        sawPaused = Number(st.get('l2_write_queue_pauses')) > 0;
      }
    }
    expect(answered, 'gets answered during the flood').to.equal(200);

    const replies = await flooder.readBytes(FLOOD * 'STORED\r\n'.length, 60_000);
    expect(replies.toString().split('STORED\r\n').length - 1, 'sets acknowledged').to.equal(FLOOD);

    const st = await statsOf(reader);
    const pauses = Number(st.get('l2_write_queue_pauses'));
    const peak = Number(st.get('l2_write_queue_peak_bytes'));
    expect(Number(st.get('l2_write_queue_limit'))).to.equal(QUEUE_BUDGET);
    expect(pauses, 'times the flooder was held back').to.be.greaterThan(0);
    // One write may land after the budget is reached (the one that reached it): never more.
    const oneWrite = VALUE + 64 + 34 + 256;
    expect(peak, `peak queue bytes ${peak}`).to.be.at.most(QUEUE_BUDGET + oneWrite);
    console.log(`      queue budget ${QUEUE_BUDGET} B, peak ${peak} B, writer paused ${pauses} times, reader saw a pause: ${sawPaused}`);

    // Nothing acknowledged is dropped: every value is there, byte-exact with its flags.
    const got = await fetchAll(
      reader,
      values.map((_, i) => `flood:${i}`),
    );
    for (let i = 0; i < FLOOD; i++) {
      const r = got.get(`flood:${i}`);
      expect(r, `flood:${i}`).to.not.equal(undefined);
      expect(r!.flags).to.equal(i);
      if (!r!.value.equals(values[i]!)) expect.fail(`value of flood:${i} differs`);
    }
  });
});
