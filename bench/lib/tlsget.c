/*
 * tlsget: a memcached get load generator that speaks plain TCP or TLS with
 * the same code path, for the TLS row of the benchmark (bench/scenarios/tls.ts).
 * mcload (bench/lib/mcload.c) has no TLS; a Node client would itself be the
 * limit once TLS is on. Written in C, single-threaded, blocking sockets:
 *
 *   preload: one connection sets keys 0..KEYS-1 (key:%010d, VALUE_SIZE bytes
 *            derived from the key number), each reply must be STORED.
 *   run:     CONNS connections, each with DEPTH gets in flight. Connections are
 *            served round-robin: read one connection's DEPTH replies, write its
 *            next DEPTH gets, go to the next; the server always has the other
 *            connections' requests queued. Every reply is compared byte for
 *            byte with the VALUE line, value and END expected for its key, so
 *            a miss or a corrupted reply ends the run with an error. Each get
 *            is counted once, when its reply has been read and checked; the
 *            time is taken when the last reply has been read.
 *
 * Usage: tlsget HOST PORT plain|tls preload|run CONNS DEPTH KEYS VALUE_SIZE SECONDS
 * Prints one JSON line: ops, seconds, protocol, cipher, cpu_us (own user+system).
 *
 * Build: gcc -O2 -o tlsget tlsget.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY_FMT "key:%010d"
#define KEY_LEN 14

typedef struct {
  int fd;
  SSL *ssl;
  int next; /* next key number this connection asks for */
  int drained; /* past the deadline with nothing in flight */
} conn_t;

static int use_tls;
static SSL_CTX *ctx;

static void die(const char *what) {
  fprintf(stderr, "tlsget: %s\n", what);
  ERR_print_errors_fp(stderr);
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void open_conn(conn_t *c, const char *host, int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) die("bad host");
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect failed");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->ssl = NULL;
  if (use_tls) {
    c->ssl = SSL_new(ctx);
    SSL_set_fd(c->ssl, c->fd);
    if (SSL_connect(c->ssl) != 1) die("TLS handshake failed");
  }
}

static void send_all(conn_t *c, const char *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = use_tls ? SSL_write(c->ssl, buf + off, (int)(len - off)) : write(c->fd, buf + off, len - off);
    if (n <= 0) die("write failed");
    off += (size_t)n;
  }
}

static void fill_value(char *v, int key, int size) {
  for (int i = 0; i < size; i++) v[i] = (char)('a' + (key + i) % 26);
}

/* The exact bytes of a hit on `key`: VALUE line, value, END. */
static size_t expected_reply(char *out, int key, int size) {
  size_t n = (size_t)sprintf(out, "VALUE " KEY_FMT " 0 %d\r\n", key, size);
  fill_value(out + n, key, size);
  n += (size_t)size;
  memcpy(out + n, "\r\nEND\r\n", 7);
  return n + 7;
}

static void fail_reply(int key, const char *got, size_t len) {
  fprintf(stderr, "tlsget: unexpected reply for " KEY_FMT ": ", key);
  fwrite(got, 1, len > 80 ? 80 : len, stderr);
  fputc('\n', stderr);
  exit(1);
}

/*
 * Reads `want` bytes, comparing each chunk with `expect` as it arrives, so a
 * miss or an error line (shorter than a hit) fails at once instead of waiting
 * for bytes that never come. offs[j] is where reply j starts, keys[j] its key.
 */
static void recv_checked(conn_t *c, char *got, const char *expect, size_t want, const size_t *offs, const int *keys, int n) {
  size_t off = 0;
  while (off < want) {
    ssize_t r = use_tls ? SSL_read(c->ssl, got + off, (int)(want - off)) : read(c->fd, got + off, want - off);
    if (r <= 0) die("connection closed or read failed");
    if (memcmp(got + off, expect + off, (size_t)r) != 0) {
      int j = 0;
      while (j + 1 < n && offs[j + 1] <= off) j++;
      for (; j < n; j++)
        if (memcmp(got + offs[j], expect + offs[j], (off + (size_t)r < offs[j + 1] ? off + (size_t)r : offs[j + 1]) - offs[j]) != 0) break;
      fail_reply(keys[j < n ? j : n - 1], got + offs[j < n ? j : n - 1], off + (size_t)r - offs[j < n ? j : n - 1]);
    }
    off += (size_t)r;
  }
}

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr, "usage: tlsget HOST PORT plain|tls preload|run CONNS DEPTH KEYS VALUE_SIZE SECONDS\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  use_tls = strcmp(argv[3], "tls") == 0;
  int preload = strcmp(argv[4], "preload") == 0;
  int conns = atoi(argv[5]), depth = atoi(argv[6]), keys = atoi(argv[7]), vsize = atoi(argv[8]);
  double seconds = atof(argv[9]);
  if (conns < 1 || depth < 1 || depth > 64 || keys < conns * depth || vsize < 1 || vsize > 1000000) die("bad arguments");
  if (use_tls) {
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) die("SSL_CTX_new");
    /* The bench's certificate is a throw-away self-signed one: encryption is measured, not trust. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  }
  size_t reply_len = 6 + KEY_LEN + 5 + 10 + 2 + (size_t)vsize + 7 + 16;
  char *expect = malloc(reply_len * 64);
  char *got = malloc(reply_len * 64);
  char *wbuf = malloc((KEY_LEN + 64 + (size_t)vsize) * 64);
  if (!expect || !got || !wbuf) die("out of memory");
  conn_t *cs = calloc((size_t)conns, sizeof *cs);
  int nconns = preload ? 1 : conns;
  for (int i = 0; i < nconns; i++) open_conn(&cs[i], host, port);
  const char *protocol = use_tls ? SSL_get_version(cs[0].ssl) : "none";
  const char *cipher = use_tls ? SSL_get_cipher_name(cs[0].ssl) : "none";

  long long ops = 0;
  double t0 = now_s(), t1;
  if (preload) {
    for (int k = 0; k < keys; k += 64) {
      int n = keys - k < 64 ? keys - k : 64;
      size_t w = 0;
      for (int j = 0; j < n; j++) {
        w += (size_t)sprintf(wbuf + w, "set " KEY_FMT " 0 0 %d\r\n", k + j, vsize);
        fill_value(wbuf + w, k + j, vsize);
        w += (size_t)vsize;
        memcpy(wbuf + w, "\r\n", 2);
        w += 2;
      }
      send_all(&cs[0], wbuf, w);
      size_t offs[65];
      int ks[64];
      for (int j = 0; j <= n; j++) offs[j] = 8 * (size_t)j;
      for (int j = 0; j < n; j++) {
        memcpy(expect + 8 * j, "STORED\r\n", 8);
        ks[j] = k + j;
      }
      recv_checked(&cs[0], got, expect, 8 * (size_t)n, offs, ks, n);
      ops += n;
    }
    t1 = now_s();
  } else {
    /* Connection i walks keys i*depth, i*depth+1, ... with stride conns*depth, so each key is asked in turn. */
    for (int i = 0; i < conns; i++) cs[i].next = i * depth;
    double deadline = t0 + seconds;
    int live = conns;
    size_t w;
    for (int i = 0; i < conns; i++) {
      w = 0;
      for (int j = 0; j < depth; j++) w += (size_t)sprintf(wbuf + w, "get " KEY_FMT "\r\n", (cs[i].next + j) % keys);
      send_all(&cs[i], wbuf, w);
    }
    while (live > 0) {
      for (int i = 0; i < conns; i++) {
        conn_t *c = &cs[i];
        if (c->drained) continue;
        size_t want = 0, offs[65];
        int ks[64];
        for (int j = 0; j < depth; j++) {
          offs[j] = want;
          ks[j] = (c->next + j) % keys;
          want += expected_reply(expect + want, ks[j], vsize);
        }
        offs[depth] = want;
        recv_checked(c, got, expect, want, offs, ks, depth);
        ops += depth;
        c->next = (c->next + conns * depth) % keys;
        if (now_s() < deadline) {
          w = 0;
          for (int j = 0; j < depth; j++) w += (size_t)sprintf(wbuf + w, "get " KEY_FMT "\r\n", (c->next + j) % keys);
          send_all(c, wbuf, w);
        } else {
          c->drained = 1;
          live--;
        }
      }
    }
    t1 = now_s();
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
  printf("{\"ops\":%lld,\"seconds\":%.6f,\"protocol\":\"%s\",\"cipher\":\"%s\",\"cpu_us\":%.0f}\n", ops, t1 - t0, protocol, cipher, cpu_us);
  return 0;
}
