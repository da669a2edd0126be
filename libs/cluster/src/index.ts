export { clusterServices, startCluster, type Cluster, type ClusterOptions, type ClusterService } from './cluster.js';
