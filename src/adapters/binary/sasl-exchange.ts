import { SASL_MECHANISMS, verifyPlain, type Authenticate } from './sasl-plain.js';

/** Where one SASL command leaves the connection. */
export type SaslVerdict = 'continue' | 'authenticated' | 'refused';

/**
 * One connection's SASL PLAIN exchange (memcached via Cyrus SASL): every
 * attempt first drops the connection's authentication; an empty initial
 * response is answered "auth continue" and the credentials come with
 * SASL_STEP. Credentials are wiped after checking, never logged or kept.
 */
export class SaslExchange {
  private authenticatedNow = false;
  /** A PLAIN exchange was started with an empty initial response; SASL_STEP carries the credentials. */
  private awaitingStep = false;

  constructor(private readonly authenticate: Authenticate) {}

  get authenticated(): boolean {
    return this.authenticatedNow;
  }

  /** SASL_AUTH with `mechanism` and the initial response `data`. */
  start(mechanism: string, data: Buffer): SaslVerdict {
    this.authenticatedNow = false;
    this.awaitingStep = false;
    if (mechanism.toUpperCase() !== SASL_MECHANISMS) return this.finish(data, false);
    if (data.length === 0) {
      this.awaitingStep = true;
      return 'continue';
    }
    return this.finish(data, verifyPlain(data, this.authenticate));
  }

  /** SASL_STEP carrying `data`: only meaningful after a start that asked for it. */
  step(data: Buffer): SaslVerdict {
    this.authenticatedNow = false;
    const verdict = this.awaitingStep && verifyPlain(data, this.authenticate);
    this.awaitingStep = false;
    return this.finish(data, verdict);
  }

  private finish(data: Buffer, ok: boolean): SaslVerdict {
    data.fill(0); // the password does not linger in a buffer we own
    this.authenticatedNow = ok;
    return ok ? 'authenticated' : 'refused';
  }
}
