// Generated from openapi.yaml by `npm run openapi` (openapi-typescript); do not edit.
// The client tests use it the way a calling service would.
export interface paths {
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metrics in Prometheus' text format */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process runs */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the store answers and Unit has not rejected the partner token */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the orgs shared with the partner that this caller may use */
        get: operations["listOrgs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Get an on-behalf token for an org and scope set */
        post: operations["getToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/invalidate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Drop a cached token, for a caller whose call to Unit came back 401 */
        post: operations["invalidateToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            code: string;
            errors?: {
                pointer: string;
                detail: string;
            }[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The broker's metrics and the process's */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # HELP unit_token_broker_cache_lookups_total Token requests by what the cache held.
                     *     # TYPE unit_token_broker_cache_lookups_total counter
                     *     unit_token_broker_cache_lookups_total{outcome="hit",tier="redis"} 2
                     *     unit_token_broker_cache_lookups_total{outcome="miss",tier="redis"} 1
                     */
                    "text/plain": string;
                };
            };
        };
    };
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
            /** @description `internal_error`: Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "store": "ok",
                     *         "partnerToken": "accepted"
                     *       }
                     *     }
                     */
                    "application/json": {
                        status: "ready" | "unready" | "stopping";
                        checks: {
                            store: "ok" | "failing";
                            partnerToken: "accepted" | "unknown" | "rejected";
                        };
                    };
                };
            };
            /** @description `internal_error`: Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not ready: a check failed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "unready",
                     *       "checks": {
                     *         "store": "ok",
                     *         "partnerToken": "rejected"
                     *       }
                     *     }
                     */
                    "application/json": {
                        status: "ready" | "unready" | "stopping";
                        checks: {
                            store: "ok" | "failing";
                            partnerToken: "accepted" | "unknown" | "rejected";
                        };
                    };
                };
            };
        };
    };
    listOrgs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The orgs, from a list reused for ORGS_CACHE_SECONDS */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orgs": [
                     *         {
                     *           "orgId": "ipF58vfdszo=",
                     *           "orgName": "Shared Client 1"
                     *         },
                     *         {
                     *           "orgId": "h5D8B5gyHtk=",
                     *           "orgName": "Shared Client 2"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orgs: {
                            orgId: string;
                            orgName: string;
                        }[];
                    };
                };
            };
            /** @description `unauthorized`: Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `rate_limited`: Too many requests */
            429: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `internal_error`: Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_rejected`: Unit rejected the request; `partner_credential_rejected`: Unit rejected the partner token */
            502: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_unavailable`: Unit is unavailable */
            503: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_timeout`: Unit did not answer in time */
            504: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "orgId": "h5D8B5gyHtk=",
                 *       "scopes": [
                 *         "customers",
                 *         "cards"
                 *       ],
                 *       "minTtlSeconds": 600
                 *     }
                 */
                "application/json": {
                    /**
                     * @description An org shared with the partner, as Unit names it.
                     * @example h5D8B5gyHtk=
                     */
                    orgId: string;
                    /**
                     * @description Read scopes, as a list or as one space-separated string.
                     * @example [
                     *       "customers",
                     *       "cards"
                     *     ]
                     * @example customers cards
                     */
                    scopes: string | string[];
                    /** @description The least remaining life, in seconds, the token must have. */
                    minTtlSeconds?: number;
                };
            };
        };
        responses: {
            /** @description A token with the life asked for */
            200: {
                headers: {
                    /** @description Whether the token came from the cache (`hit`) or was minted (`fwd=miss`, `fwd=stale`). */
                    "cache-status"?: string;
                    /** @description How long the caller may reuse the token without asking again. */
                    "cache-control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "v2.public.eyJ…",
                     *       "orgId": "h5D8B5gyHtk=",
                     *       "scopes": [
                     *         "cards",
                     *         "customers"
                     *       ],
                     *       "expiresAt": "2026-12-05T10:00:00.000Z",
                     *       "expiresIn": 86400
                     *     }
                     */
                    "application/json": {
                        /** @description The on-behalf token, a bearer credential for Unit. */
                        token: string;
                        orgId: string;
                        /** @description The canonical scope set: unique, sorted. */
                        scopes: string[];
                        /** Format: date-time */
                        expiresAt: string;
                        /** @description Whole seconds of life left. */
                        expiresIn: number;
                    };
                };
            };
            /** @description `invalid_request`: Invalid request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `unauthorized`: Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `forbidden`: Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `org_not_shared`: Org not shared with the partner */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `payload_too_large`: Payload too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `unsupported_media_type`: Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `rate_limited`: Too many requests */
            429: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `internal_error`: Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_rejected`: Unit rejected the request; `partner_credential_rejected`: Unit rejected the partner token */
            502: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_unavailable`: Unit is unavailable */
            503: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `upstream_timeout`: Unit did not answer in time */
            504: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    invalidateToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "orgId": "h5D8B5gyHtk=",
                 *       "scopes": "cards customers",
                 *       "token": "v2.public.eyJ…"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description An org shared with the partner, as Unit names it.
                     * @example h5D8B5gyHtk=
                     */
                    orgId: string;
                    /**
                     * @description Read scopes, as a list or as one space-separated string.
                     * @example [
                     *       "customers",
                     *       "cards"
                     *     ]
                     * @example customers cards
                     */
                    scopes: string | string[];
                    /** @description Drop the entry only while it still holds this token. */
                    token?: string;
                };
            };
        };
        responses: {
            /** @description Dropped, or nothing to drop */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: Invalid request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `unauthorized`: Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `forbidden`: Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `payload_too_large`: Payload too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `unsupported_media_type`: Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `rate_limited`: Too many requests */
            429: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `internal_error`: Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `store_unavailable`: The token store is unavailable */
            503: {
                headers: {
                    /** @description Seconds after which a retry may succeed. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
