using System.Text;
using Azure.Data.Tables;
using Hokusai.Keys.Testing;
using StackExchange.Redis;

namespace Hokusai.Keys.Api.Tests;

/// <summary>After a realistic run, no table row and no Redis value holds a plaintext key or its secret part.</summary>
public class SecretsAtRestTests
{
    [Fact]
    public async Task Tables_and_Redis_hold_no_plaintext_key_and_no_secret_part()
    {
        var group = await ServerGroup.CreateAsync();
        using var a = group.StartServer();
        using var b = group.StartServer();
        var adminKey = await a.CreateAdminKeyAsync();
        var admin = a.Client(adminKey);
        var plaintexts = new List<string> { adminKey };
        for (var i = 0; i < 5; i++)
        {
            var (id, key) = await admin.CreateKeyAsync(new { name = $"k{i}", scopes = new[] { "models:read" }, metadata = new { n = i.ToString() } });
            plaintexts.Add(key);
            Assert.Equal("VALID", await b.Client().VerifyCodeAsync(key));
            Assert.Equal(204, (int)(await a.Client(key).GetAsync("/api/authorize")).StatusCode);
            var rotated = (await admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 60 })).Body!;
            var newKey = rotated["key"]!["key"]!.GetValue<string>();
            plaintexts.Add(newKey);
            Assert.Equal("VALID", await b.Client().VerifyCodeAsync(newKey));
        }
        // Wrong secrets presented for real ids must not be kept either.
        var wrong = Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, Domain.ApiKeyFormat.TryParse(plaintexts[1], out var p) ? p.KeyId : "").Plaintext;
        plaintexts.Add(wrong);
        Assert.Equal("NOT_FOUND", await b.Client().VerifyCodeAsync(wrong));
        var needles = plaintexts.SelectMany(k => new[] { k, k.Substring(Domain.ApiKeyFormat.PrefixLength + Domain.ApiKeyFormat.KeyIdLength, Domain.ApiKeyFormat.SecretLength) }).ToList();

        var tableValues = 0;
        var service = new TableServiceClient(group.StorageConnectionString);
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(group.TablePrefix) >= 0))
        {
            if (!table.Name.StartsWith(group.TablePrefix, StringComparison.Ordinal)) continue;
            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var (name, value) in entity)
                {
                    tableValues++;
                    var text = value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString() ?? "";
                    Assert.False(needles.Any(n => text.Contains(n, StringComparison.Ordinal)), $"table {table.Name} row {entity.RowKey} property {name} holds a key or secret");
                }
            }
        }
        Assert.True(tableValues > 50, "the scan read the rows");

        var redis = await SharedInfrastructure.RedisAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var db = connection.GetDatabase();
        var redisValues = 0;
        await foreach (var redisKey in server.KeysAsync(pattern: "*"))
        {
            var type = await db.KeyTypeAsync(redisKey);
            var texts = new List<string> { redisKey.ToString() };
            if (type == RedisType.String) texts.Add((string?)await db.StringGetAsync(redisKey) ?? "");
            else if (type == RedisType.Hash) texts.AddRange((await db.HashGetAllAsync(redisKey)).Select(e => e.Name + "=" + Encoding.UTF8.GetString((byte[])e.Value!)));
            redisValues += texts.Count;
            Assert.False(texts.Any(t => needles.Any(n => t.Contains(n, StringComparison.Ordinal))), $"Redis key {redisKey} holds a key or secret");
        }
        Assert.True(redisValues > 5, "the scan read Redis entries");
    }
}
