// The fused LTC sequence (ember/liquid.h; host side backend/opencl/ltc.cpp), T = float or
// double. The math and its adjoint follow backend/cpu/liquid.cpp, with the same order of
// the sums over synapses, so the results match the cpu backend to rounding.
//
// A wiring of `rows` presynaptic and n postsynaptic neurons is held as a table of its real
// synapses (mask != 0), built on the device by ltc_table so that no mask is read back:
// synapse k in column order (sorted by post, then pre), par[4k..] = w * mask, mu, sigma,
// erev; col_off[j].. col_off[j + 1] are the synapses onto j, col_pre their presynaptic
// neurons; row_off / row_k / row_post list the same synapses by pre (the adjoint's order,
// one writer per synapse); map[pre * n + post] is k, or -1 for a masked pair.
//
// A work-group runs one sequence at a time; its work-item lid owns neurons lid, lid + L,
// ... (as post in the ODE step, as pre in its adjoint), so per-neuron and per-synapse
// accumulators have a single writer and need no atomics.

inline T sigmoid(T z) { return (T)1 / ((T)1 + exp(-z)); }

// One work-group of any size; buffers sized for rows * n synapses.
__kernel void ltc_table(__global const T* w, long w_off, __global const T* mu, long mu_off,
                        __global const T* sigma, long sigma_off, __global const T* erev, long erev_off,
                        __global const T* mask, long mask_off, long rows, long n, __global int* col_off,
                        __global int* col_pre, __global T* par, __global int* row_off, __global int* row_k,
                        __global int* row_post, __global int* map) {
  const long lid = get_local_id(0), L = get_local_size(0);
  w += w_off;
  mu += mu_off;
  sigma += sigma_off;
  erev += erev_off;
  mask += mask_off;
  for (long j = lid; j < n; j += L) {
    int count = 0;
    for (long i = 0; i < rows; ++i) count += mask[i * n + j] != (T)0;
    col_off[j + 1] = count;
  }
  for (long i = lid; i < rows; i += L) {
    int count = 0;
    for (long j = 0; j < n; ++j) count += mask[i * n + j] != (T)0;
    row_off[i + 1] = count;
  }
  barrier(CLK_GLOBAL_MEM_FENCE);
  if (lid == 0) {
    col_off[0] = 0;
    for (long j = 0; j < n; ++j) col_off[j + 1] += col_off[j];
    row_off[0] = 0;
    for (long i = 0; i < rows; ++i) row_off[i + 1] += row_off[i];
  }
  barrier(CLK_GLOBAL_MEM_FENCE);
  for (long j = lid; j < n; j += L) {
    int k = col_off[j];
    for (long i = 0; i < rows; ++i) {
      const long f = i * n + j;
      if (mask[f] == (T)0) {
        map[f] = -1;
        continue;
      }
      col_pre[k] = (int)i;
      par[4 * k] = w[f] * mask[f];
      par[4 * k + 1] = mu[f];
      par[4 * k + 2] = sigma[f];
      par[4 * k + 3] = erev[f];
      map[f] = k++;
    }
  }
  barrier(CLK_GLOBAL_MEM_FENCE);
  for (long i = lid; i < rows; i += L) {
    int q = row_off[i];
    for (long j = 0; j < n; ++j) {
      const int k = map[i * n + j];
      if (k < 0) continue;
      row_k[q] = k;
      row_post[q++] = (int)j;
    }
  }
}

// Sensory numerator and denominator terms of neuron j for inputs xt (one step).
inline void sensory_terms(long j, __global const T* xt, __global const int* s_col_off,
                          __global const int* s_col_pre, __global const T* s_par, T* ns, T* ds) {
  T num = 0, den = 0;
  for (int k = s_col_off[j]; k < s_col_off[j + 1]; ++k) {
    __global const T* p = s_par + 4 * k;
    const T a = p[0] * sigmoid(p[2] * (xt[s_col_pre[k]] - p[1]));
    num += a * p[3];
    den += a;
  }
  *ns = num;
  *ds = den;
}

// Numerator and denominator of one unfold of neuron j (in scope: cm, gleak, vleak, scale,
// eps, ns, ds, col_off, col_pre, par) from the states V, which are __local in the forward
// pass and __global in the backward one (hence a macro); SAVED runs per incoming synapse k
// with its activation s.
#define UNFOLD_NEURON(V, SAVED)                                          \
  {                                                                      \
    num = cm[j] * scale * V[j] + gleak[j] * vleak[j] + ns[j];            \
    den = cm[j] * scale + (gleak[j] + eps) + ds[j];                      \
    for (int k = col_off[j]; k < col_off[j + 1]; ++k) {                  \
      __global const T* p = par + 4 * k;                                 \
      const T s = sigmoid(p[2] * (V[col_pre[k]] - p[1]));                \
      SAVED;                                                             \
      const T a = p[0] * s;                                              \
      num += a * p[3];                                                   \
      den += a;                                                          \
    }                                                                    \
  }

// One work-group per sequence; local: v (2 n), ns, ds (n each).
// With `masked`, keep (B, T) is the step mask: a 0 step copies the state (one branch per
// work-group, so the barriers stay uniform).
__kernel void ltc_forward(__global const T* x, long x_off, __global const T* h0, long h0_off,
                          __global const T* elapsed, long elapsed_off, __global const T* keep, long keep_off,
                          long masked, __global const T* cm, long cm_off,
                          __global const T* gleak, long gleak_off, __global const T* vleak, long vleak_off,
                          __global const int* s_col_off, __global const int* s_col_pre, __global const T* s_par,
                          __global const int* col_off, __global const int* col_pre, __global const T* par,
                          __global T* states, long states_off, long steps, long c, long n, long unfolds, T eps,
                          __local T* local_mem) {
  const long lid = get_local_id(0), L = get_local_size(0), b = get_group_id(0);
  x += x_off + b * steps * c;
  h0 += h0_off + b * n;
  elapsed += elapsed_off + b * steps;
  keep += keep_off + b * steps;
  cm += cm_off;
  gleak += gleak_off;
  vleak += vleak_off;
  states += states_off + b * steps * n;
  __local T* cur = local_mem;
  __local T* nxt = local_mem + n;
  __local T* ns = local_mem + 2 * n;
  __local T* ds = local_mem + 3 * n;
  for (long j = lid; j < n; j += L) cur[j] = h0[j];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (long t = 0; t < steps; ++t) {
    if (masked && keep[t] == (T)0) {
      for (long j = lid; j < n; j += L) states[t * n + j] = cur[j];
      continue;
    }
    const T scale = (T)unfolds / elapsed[t];
    for (long j = lid; j < n; j += L) {
      T a, d;
      sensory_terms(j, x + t * c, s_col_off, s_col_pre, s_par, &a, &d);
      ns[j] = a;
      ds[j] = d;
    }
    for (long u = 0; u < unfolds; ++u) {
      for (long j = lid; j < n; j += L) {
        T num, den;
        UNFOLD_NEURON(cur, (void)0);
        nxt[j] = num / den;
      }
      barrier(CLK_LOCAL_MEM_FENCE);
      __local T* tmp = cur;
      cur = nxt;
      nxt = tmp;
    }
    for (long j = lid; j < n; j += L) states[t * n + j] = cur[j];
  }
}

// Adjoint of synapse k (parameters p, presynaptic value pre, activation s) given the
// gradients of its postsynaptic numerator and denominator: accumulates its parameter
// gradients into g[0..3] (w, mu's dz, sigma, erev) and returns its share of d pre.
inline T synapse_adjoint(__global const T* p, T pre, T s, T dnum, T dden, __global T* g) {
  const T da = dnum * p[3] + dden;
  g[3] += dnum * s * p[0];
  g[0] += da * s;
  const T dz = da * p[0] * s * ((T)1 - s);
  g[2] += dz * (pre - p[1]);
  g[1] += dz;
  return dz * p[2];
}

// Work-group `grp` of G runs sequences grp, grp + G, ..., reverse in time, recomputing each
// step's unfolds from the saved state before it. Per work-group global memory: scratch
// (states before each unfold, denominators, synapse activations per unfold) and the
// parameter gradients summed over its sequences (gsens, gsyn: 4 per synapse; gneu: cm,
// gleak, vleak), which ltc_sum_* add over the work-groups. Local: 8 n + L values.
// A masked step (see ltc_forward) adds its incoming gradient to the state before's and
// writes zero dx and d elapsed.
__kernel void ltc_backward(__global const T* x, long x_off, __global const T* h0, long h0_off,
                           __global const T* elapsed, long elapsed_off, __global const T* keep, long keep_off,
                           long masked, __global const T* cm, long cm_off,
                           __global const T* gleak, long gleak_off, __global const T* vleak, long vleak_off,
                           __global const T* states, long states_off, __global const T* grad, long grad_off,
                           __global const int* s_col_off, __global const int* s_col_pre, __global const T* s_par,
                           __global const int* s_row_off, __global const int* s_row_k,
                           __global const int* s_row_post, __global const int* col_off,
                           __global const int* col_pre, __global const T* par, __global const int* row_off,
                           __global const int* row_k, __global const int* row_post, __global T* scratch,
                           __global T* gsens, __global T* gsyn, __global T* gneu, __global T* dx, long dx_off,
                           __global T* dh0, long dh0_off, __global T* delapsed, long delapsed_off, long batch,
                           long steps, long c, long n, long unfolds, T eps, __local T* local_mem) {
  const long lid = get_local_id(0), L = get_local_size(0), grp = get_group_id(0), G = get_num_groups(0);
  cm += cm_off;
  gleak += gleak_off;
  vleak += vleak_off;
  const long syn_max = n * n, sens_max = c * n;
  __global T* vs = scratch + grp * ((2 * unfolds + 1) * n + unfolds * syn_max);
  __global T* dens = vs + (unfolds + 1) * n;
  __global T* saved = dens + unfolds * n;
  gsens += grp * 4 * sens_max;
  gsyn += grp * 4 * syn_max;
  gneu += grp * 3 * n;
  __local T* dnum = local_mem;
  __local T* dden = dnum + n;
  __local T* dns = dden + n;
  __local T* dds = dns + n;
  __local T* g = dds + n;
  __local T* ns = g + n;
  __local T* ds = ns + n;
  __local T* dcm = ds + n;
  __local T* red = dcm + n;
  for (long k = lid; k < 4 * sens_max; k += L) gsens[k] = 0;
  for (long k = lid; k < 4 * syn_max; k += L) gsyn[k] = 0;
  for (long k = lid; k < 3 * n; k += L) gneu[k] = 0;
  for (long b = grp; b < batch; b += G) {
    __global const T* xb = x + x_off + b * steps * c;
    __global const T* sb = states + states_off + b * steps * n;
    __global const T* gb = grad + grad_off + b * steps * n;
    for (long j = lid; j < n; j += L) g[j] = 0;
    for (long t = steps - 1; t >= 0; --t) {
      if (masked && keep[keep_off + b * steps + t] == (T)0) {
        for (long j = lid; j < n; j += L) g[j] += gb[t * n + j];
        for (long i = lid; i < c; i += L) dx[dx_off + (b * steps + t) * c + i] = 0;
        if (lid == 0) delapsed[delapsed_off + b * steps + t] = 0;
        continue;
      }
      const T el = elapsed[elapsed_off + b * steps + t];
      const T scale = (T)unfolds / el;
      __global const T* xt = xb + t * c;
      for (long j = lid; j < n; j += L) {
        vs[j] = t > 0 ? sb[(t - 1) * n + j] : h0[h0_off + b * n + j];
        g[j] += gb[t * n + j];
        dcm[j] = dns[j] = dds[j] = 0;
        T a, d;
        sensory_terms(j, xt, s_col_off, s_col_pre, s_par, &a, &d);
        ns[j] = a;
        ds[j] = d;
      }
      barrier(CLK_GLOBAL_MEM_FENCE);
      for (long u = 0; u < unfolds; ++u) {
        __global const T* v = vs + u * n;
        for (long j = lid; j < n; j += L) {
          T num, den;
          UNFOLD_NEURON(v, saved[u * syn_max + k] = s);
          vs[(u + 1) * n + j] = num / den;
          dens[u * n + j] = den;
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
      }
      for (long u = unfolds - 1; u >= 0; --u) {
        __global const T* v = vs + u * n;
        for (long j = lid; j < n; j += L) {
          const T dn = g[j] / dens[u * n + j];
          const T dd = -dn * vs[(u + 1) * n + j];
          g[j] = dn * scale * cm[j];
          dcm[j] += dn * v[j] + dd;
          gneu[n + j] += dn * vleak[j] + dd;
          gneu[2 * n + j] += dn * gleak[j];
          dns[j] += dn;
          dds[j] += dd;
          dnum[j] = dn;
          dden[j] = dd;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (long i = lid; i < n; i += L) {
          T gi = g[i];
          for (int q = row_off[i]; q < row_off[i + 1]; ++q) {
            const int k = row_k[q], j = row_post[q];
            gi += synapse_adjoint(par + 4 * k, v[i], saved[u * syn_max + k], dnum[j], dden[j], gsyn + 4 * k);
          }
          g[i] = gi;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
      }
      for (long i = lid; i < c; i += L) {
        T dxi = 0;
        for (int q = s_row_off[i]; q < s_row_off[i + 1]; ++q) {
          const int k = s_row_k[q], j = s_row_post[q];
          __global const T* p = s_par + 4 * k;
          const T s = sigmoid(p[2] * (xt[i] - p[1]));
          dxi += synapse_adjoint(p, xt[i], s, dns[j], dds[j], gsens + 4 * k);
        }
        dx[dx_off + (b * steps + t) * c + i] = dxi;
      }
      T dscale = 0;
      for (long j = lid; j < n; j += L) {
        gneu[j] += dcm[j] * scale;
        dscale += dcm[j] * cm[j];
      }
      red[lid] = dscale;
      barrier(CLK_LOCAL_MEM_FENCE);
      if (lid == 0) {
        for (long k = 1; k < L; ++k) dscale += red[k];
        // scale = unfolds / elapsed: d elapsed = -d scale * scale / elapsed.
        delapsed[delapsed_off + b * steps + t] = -dscale * scale * scale / (T)unfolds;
      }
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (long j = lid; j < n; j += L) dh0[dh0_off + b * n + j] = g[j];
  }
}

// Dense (rows, n) gradients of a synapse table from the per-work-group sums: one work-item
// per pair; masked pairs get 0, w's gradient is that of w * mask times the mask.
__kernel void ltc_sum_synapses(__global const T* gsum, long G, long syn_max, __global const int* map,
                               __global const T* par, __global const T* mask, long mask_off, long size,
                               __global T* dw, long dw_off, __global T* dmu, long dmu_off, __global T* dsigma,
                               long dsigma_off, __global T* derev, long derev_off) {
  const long f = get_global_id(0);
  if (f >= size) return;
  const int k = map[f];
  T s[4] = {0, 0, 0, 0};
  if (k >= 0) {
    for (long grp = 0; grp < G; ++grp) {
      for (int p = 0; p < 4; ++p) s[p] += gsum[(grp * syn_max + k) * 4 + p];
    }
  }
  dw[dw_off + f] = s[0] * mask[mask_off + f];
  dmu[dmu_off + f] = k >= 0 ? -s[1] * par[4 * k + 2] : (T)0;
  dsigma[dsigma_off + f] = s[2];
  derev[derev_off + f] = s[3];
}

// cm, gleak, vleak gradients from the per-work-group sums (G, 3, n).
__kernel void ltc_sum_neurons(__global const T* gsum, long G, long n, __global T* dcm, long dcm_off,
                              __global T* dgleak, long dgleak_off, __global T* dvleak, long dvleak_off) {
  const long j = get_global_id(0);
  if (j >= n) return;
  T s[3] = {0, 0, 0};
  for (long grp = 0; grp < G; ++grp) {
    for (int p = 0; p < 3; ++p) s[p] += gsum[(grp * 3 + p) * n + j];
  }
  dcm[dcm_off + j] = s[0];
  dgleak[dgleak_off + j] = s[1];
  dvleak[dvleak_off + j] = s[2];
}
