package dev.tiered.table.catalog;

import org.apache.flink.table.catalog.AbstractCatalog;
import org.apache.flink.table.catalog.CatalogPartition;
import org.apache.flink.table.catalog.CatalogPartitionSpec;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.exceptions.CatalogException;
import org.apache.flink.table.catalog.exceptions.PartitionNotExistException;
import org.apache.flink.table.catalog.exceptions.TableNotPartitionedException;
import org.apache.flink.table.catalog.stats.CatalogColumnStatistics;
import org.apache.flink.table.catalog.stats.CatalogTableStatistics;
import org.apache.flink.table.expressions.Expression;

import java.util.List;

/**
 * The parts of a catalog tiered tables do not have: partitions (a table's layout is by scope, not
 * by partition) and statistics (unknown to the planner).
 */
abstract class UnpartitionedCatalog extends AbstractCatalog {

    UnpartitionedCatalog(String name, String defaultDatabase) {
        super(name, defaultDatabase);
    }

    @Override
    public List<CatalogPartitionSpec> listPartitions(ObjectPath tablePath)
            throws TableNotPartitionedException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public List<CatalogPartitionSpec> listPartitions(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec)
            throws TableNotPartitionedException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public List<CatalogPartitionSpec> listPartitionsByFilter(
            ObjectPath tablePath, List<Expression> filters) throws TableNotPartitionedException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public CatalogPartition getPartition(ObjectPath tablePath, CatalogPartitionSpec spec)
            throws PartitionNotExistException {
        throw new PartitionNotExistException(getName(), tablePath, spec);
    }

    @Override
    public boolean partitionExists(ObjectPath tablePath, CatalogPartitionSpec spec) {
        return false;
    }

    @Override
    public void createPartition(
            ObjectPath tablePath,
            CatalogPartitionSpec spec,
            CatalogPartition partition,
            boolean ignoreIfExists) {
        throw new CatalogException("Cannot create partition: tiered tables are not partitioned");
    }

    @Override
    public void dropPartition(ObjectPath tablePath, CatalogPartitionSpec spec, boolean ignore) {
        throw new CatalogException("Cannot drop partition: tiered tables are not partitioned");
    }

    @Override
    public void alterPartition(
            ObjectPath tablePath,
            CatalogPartitionSpec spec,
            CatalogPartition newPartition,
            boolean ignoreIfNotExists) {
        throw new CatalogException("Cannot alter partition: tiered tables are not partitioned");
    }

    @Override
    public CatalogTableStatistics getTableStatistics(ObjectPath tablePath) {
        return CatalogTableStatistics.UNKNOWN;
    }

    @Override
    public CatalogColumnStatistics getTableColumnStatistics(ObjectPath tablePath) {
        return CatalogColumnStatistics.UNKNOWN;
    }

    @Override
    public CatalogTableStatistics getPartitionStatistics(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec) {
        return CatalogTableStatistics.UNKNOWN;
    }

    @Override
    public CatalogColumnStatistics getPartitionColumnStatistics(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec) {
        return CatalogColumnStatistics.UNKNOWN;
    }

    @Override
    public void alterTableStatistics(
            ObjectPath tablePath, CatalogTableStatistics stats, boolean ignoreIfNotExists) {
        throw new CatalogException("Cannot alter statistics of tiered tables");
    }

    @Override
    public void alterTableColumnStatistics(
            ObjectPath tablePath, CatalogColumnStatistics stats, boolean ignoreIfNotExists) {
        throw new CatalogException("Cannot alter statistics of tiered tables");
    }

    @Override
    public void alterPartitionStatistics(
            ObjectPath tablePath,
            CatalogPartitionSpec spec,
            CatalogTableStatistics stats,
            boolean ignoreIfNotExists) {
        throw new CatalogException("Cannot alter statistics of tiered tables");
    }

    @Override
    public void alterPartitionColumnStatistics(
            ObjectPath tablePath,
            CatalogPartitionSpec spec,
            CatalogColumnStatistics stats,
            boolean ignoreIfNotExists) {
        throw new CatalogException("Cannot alter statistics of tiered tables");
    }
}
