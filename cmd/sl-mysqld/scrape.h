/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scrape.h -- sl-mysqld's --metrics address: a tiny HTTP/1.0 responder, one
 * request per connection, answering GET /metrics with the counters in
 * Prometheus's text format and 404 to anything else.
 */
#ifndef SL_MYSQLD_SCRAPE_H
#define SL_MYSQLD_SCRAPE_H

#include "metrics.h"

#define MYSQLD_SCRAPE_MAX 4096      /* the largest request head read */
#define MYSQLD_SCRAPE_MS 5000       /* the whole request must come within */
#define MYSQLD_SCRAPERS 8           /* scrapes served at once */

/* Serve the one request of the connection fd (blocking; the caller is a
 * process of its own): read it within MYSQLD_SCRAPE_MS and at most
 * MYSQLD_SCRAPE_MAX bytes (else dropped: 408 / 431), answer, close. */
void mysqld_scrape_serve(sl_metrics *m, int fd);

#endif
