/*
 * mcload: a tiny memcached text-protocol load generator for the side-by-side
 * benchmark (bench/run.ts). It exists because Debian's memcaslap cannot keep
 * several independent requests in flight on one connection (its -d option is
 * a multi-get, not pipelining), cannot preload a fixed key set with a fixed
 * seed, and reports latency only as a log2 histogram. Written in C so that the
 * load generator, pinned to its own core, stays cheaper per op than the
 * servers it measures; bench/run.ts prints its CPU use to prove it.
 *
 * Usage:
 *   mcload HOST PORT MODE CONNS DEPTH SETS GETS VALUE_SIZE KEYS SECONDS SEED
 * MODE is "preload" (set keys 0..KEYS-1 once each, then exit) or "run"
 * (a deterministic SETS:GETS cycle over random keys for SECONDS).
 * DEPTH is the number of requests kept in flight per connection.
 * Prints one JSON line: ops, seconds, p50_us, p99_us, misses, errors.
 *
 * Build: gcc -O2 -o mcload mcload.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY_LEN 16
#define HIST_US 200000 /* 1 us buckets up to 200 ms, then one overflow bucket */

typedef struct {
  int fd;
  char *wbuf;
  size_t wlen, woff, wcap;
  char *rbuf;
  size_t rlen, rcap;
  int inflight;
  int head, tail; /* ring of in-flight ops: kind + send time */
  char *kind;     /* 's' or 'g' */
  uint64_t *sent;
  uint64_t rng;
  uint64_t cycle;
  int want_out;
} conn_t;

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static void reserve(char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return;
  size_t n = *cap ? *cap : 65536;
  while (n < need) n *= 2;
  *buf = realloc(*buf, n);
  if (!*buf) { perror("realloc"); exit(2); }
  *cap = n;
}

static int depth, sets_per_cycle, gets_per_cycle, value_size;
static uint64_t keys, next_preload_key, preload_done;
static int preload;
static char *value;
static uint32_t *hist;
static uint64_t ops, misses, errors;
static int measuring = 1;

static void key_name(char *out, uint64_t k) {
  /* exactly KEY_LEN bytes: "b" + 15 zero-padded digits */
  char tmp[32];
  snprintf(tmp, sizeof tmp, "b%015llu", (unsigned long long)k);
  memcpy(out, tmp, KEY_LEN);
}

/* Queues one request; returns 0 when there is nothing left to send (preload). */
static int queue_request(conn_t *c, uint64_t t) {
  uint64_t k;
  char op;
  if (preload) {
    if (next_preload_key >= keys) return 0;
    k = next_preload_key++;
    op = 's';
  } else {
    uint64_t pos = c->cycle++ % (uint64_t)(sets_per_cycle + gets_per_cycle);
    op = pos < (uint64_t)sets_per_cycle ? 's' : 'g';
    k = xorshift(&c->rng) % keys;
  }
  char key[KEY_LEN];
  key_name(key, k);
  reserve(&c->wbuf, &c->wcap, c->wlen + 64 + (size_t)value_size + 2);
  char *w = c->wbuf + c->wlen;
  if (op == 's') {
    int n = sprintf(w, "set %.*s 0 0 %d\r\n", KEY_LEN, key, value_size);
    memcpy(w + n, value, (size_t)value_size);
    memcpy(w + n + value_size, "\r\n", 2);
    c->wlen += (size_t)n + (size_t)value_size + 2;
  } else {
    c->wlen += (size_t)sprintf(w, "get %.*s\r\n", KEY_LEN, key);
  }
  c->kind[c->tail] = op;
  c->sent[c->tail] = t;
  c->tail = (c->tail + 1) % depth;
  c->inflight++;
  return 1;
}

/*
 * Refills only once every in-flight request has been answered, so DEPTH
 * requests travel as one write and come back as (usually) one read: that is
 * what a pipelining client does, and it keeps the generator's syscalls per op
 * at 2/DEPTH.
 */
static void fill(conn_t *c) {
  if (c->inflight > 0) return;
  uint64_t t = now_us();
  while (measuring && c->inflight < depth && queue_request(c, t)) {
  }
}

static int flush_out(conn_t *c) {
  while (c->woff < c->wlen) {
    ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
    if (n < 0) {
      if (errno == EAGAIN) return 1;
      perror("write");
      exit(2);
    }
    c->woff += (size_t)n;
  }
  c->woff = c->wlen = 0;
  return 0;
}

static void complete(conn_t *c, uint64_t t, int miss) {
  uint64_t lat = t - c->sent[c->head];
  c->head = (c->head + 1) % depth;
  c->inflight--;
  if (preload) { preload_done++; return; }
  if (!measuring) return;
  ops++;
  if (miss) misses++;
  hist[lat < HIST_US ? lat : HIST_US]++;
}

/* Parses as many whole responses as the read buffer holds. */
static void parse(conn_t *c) {
  size_t p = 0;
  uint64_t t = now_us();
  while (c->inflight > 0) {
    char *base = c->rbuf + p;
    size_t avail = c->rlen - p;
    char *eol = memmem(base, avail, "\r\n", 2);
    if (!eol) break;
    size_t line = (size_t)(eol - base);
    if (c->kind[c->head] == 's') {
      if (!(line == 6 && memcmp(base, "STORED", 6) == 0)) errors++;
      p += line + 2;
      complete(c, t, 0);
    } else if (line == 3 && memcmp(base, "END", 3) == 0) {
      p += 5;
      complete(c, t, 1);
    } else if (line > 6 && memcmp(base, "VALUE ", 6) == 0) {
      /* "VALUE key flags bytes": get (not gets) has no cas, so bytes is last */
      char *sp = memrchr(base, ' ', line);
      long bytes = strtol(sp + 1, NULL, 10);
      size_t need = line + 2 + (size_t)bytes + 2 + 5; /* data\r\nEND\r\n */
      if (avail < need) break;
      if (memcmp(base + line + 2 + bytes + 2, "END\r\n", 5) != 0) errors++;
      p += need;
      complete(c, t, 0);
    } else {
      errors++;
      p += line + 2;
      complete(c, t, 0);
    }
  }
  memmove(c->rbuf, c->rbuf + p, c->rlen - p);
  c->rlen -= p;
}

static void set_out_interest(int ep, conn_t *c, int want) {
  if (c->want_out == want) return;
  struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = want;
}

int main(int argc, char **argv) {
  if (argc != 12) {
    fprintf(stderr, "usage: mcload HOST PORT preload|run CONNS DEPTH SETS GETS VALUE_SIZE KEYS SECONDS SEED\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  preload = strcmp(argv[3], "preload") == 0;
  int nconns = atoi(argv[4]);
  depth = atoi(argv[5]);
  sets_per_cycle = atoi(argv[6]);
  gets_per_cycle = atoi(argv[7]);
  value_size = atoi(argv[8]);
  keys = strtoull(argv[9], NULL, 10);
  double seconds = atof(argv[10]);
  uint64_t seed = strtoull(argv[11], NULL, 10);
  if (nconns < 1 || depth < 1 || keys < 1 || value_size < 0 || sets_per_cycle + gets_per_cycle < 1) {
    fprintf(stderr, "mcload: bad arguments\n");
    return 2;
  }

  value = malloc((size_t)value_size + 1);
  for (int i = 0; i < value_size; i++) value[i] = (char)('a' + i % 26);
  hist = calloc(HIST_US + 1, sizeof *hist);

  int ep = epoll_create1(0);
  conn_t *conns = calloc((size_t)nconns, sizeof *conns);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, host, &sa.sin_addr);
  for (int i = 0; i < nconns; i++) {
    conn_t *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 2; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* nonblocking after connect so connect itself stays simple */
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->kind = calloc((size_t)depth, 1);
    c->sent = calloc((size_t)depth, sizeof *c->sent);
    c->rng = seed * 0x9E3779B97F4A7C15ull + (uint64_t)i * 0xD1B54A32D192ED03ull + 1;
    c->cycle = (uint64_t)i; /* stagger the set positions across connections */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }

  uint64_t start = now_us();
  uint64_t end = start + (uint64_t)(seconds * 1e6);
  for (int i = 0; i < nconns; i++) {
    fill(&conns[i]);
    set_out_interest(ep, &conns[i], flush_out(&conns[i]));
  }

  struct epoll_event evs[256];
  uint64_t stop_at = 0;
  for (;;) {
    uint64_t t = now_us();
    if (preload) {
      if (preload_done >= keys) { stop_at = t; break; }
    } else if (t >= end) {
      stop_at = t;
      break;
    }
    int n = epoll_wait(ep, evs, 256, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          reserve(&c->rbuf, &c->rcap, c->rlen + 65536);
          ssize_t r = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
          if (r > 0) { c->rlen += (size_t)r; if ((size_t)r < 65536) break; continue; }
          if (r == 0) { fprintf(stderr, "mcload: server closed the connection\n"); return 3; }
          if (errno == EAGAIN) break;
          perror("read");
          return 3;
        }
        parse(c);
      }
      if (c->woff == c->wlen) fill(c);
      set_out_interest(ep, c, flush_out(c));
    }
  }

  double secs = (double)(stop_at - start) / 1e6;
  uint64_t total = 0, p50 = 0, p99 = 0;
  for (int i = 0; i <= HIST_US; i++) total += hist[i];
  uint64_t acc = 0;
  int got50 = 0;
  for (int i = 0; i <= HIST_US; i++) {
    acc += hist[i];
    if (!got50 && acc * 100 >= total * 50) { p50 = (uint64_t)i; got50 = 1; }
    if (acc * 100 >= total * 99) { p99 = (uint64_t)i; break; }
  }
  if (preload) ops = preload_done;
  printf("{\"ops\":%llu,\"seconds\":%.4f,\"p50_us\":%llu,\"p99_us\":%llu,\"misses\":%llu,\"errors\":%llu}\n",
         (unsigned long long)ops, secs, (unsigned long long)p50, (unsigned long long)p99,
         (unsigned long long)misses, (unsigned long long)errors);
  return 0;
}
