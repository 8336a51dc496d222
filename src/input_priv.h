/* What the input module exposes to its tests only (private). */
#ifndef SIPSLEUTH_INPUT_PRIV_H
#define SIPSLEUTH_INPUT_PRIV_H

#include "sipsleuth/input.h"

#include <stddef.h>

/* The stdio buffer size libpcap reads file i through (__fbufsize), or 0
 * when the file is not open. */
size_t sls__input_buffer_size(const sls_input *in, size_t i);

#endif
