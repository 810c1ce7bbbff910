/* Internal pieces of the network loaders shared by net.c and model_text.c. */
#ifndef FEYNN_IO_NET_INTERNAL_H
#define FEYNN_IO_NET_INTERNAL_H

#include "feynn/io.h"

/* Allocates W and b (zeroed) for ly->n_out x ly->n_in, and the exact arrays when exact. */
int fy_net_layer_alloc(fy_layer_struct *ly, int exact, fy_error_t err);

/* Appends a printf-style note to net->notes. */
int fy_net_note(fy_net_t net, fy_error_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Completes a network whose layers are filled: activations (options first, then the file's
 * act_list, "tanh" or "tanh,sigmoid", for hidden layers without one, and out_act for the last
 * layer; act_origin says where the file's came from), finiteness of every weight, widths and
 * source name. */
int fy_net_finish(fy_net_t net, const char *name, const char *act_list, const char *out_act,
                  const char *act_origin, const fy_net_opts_t opts, fy_error_t err);

#endif
