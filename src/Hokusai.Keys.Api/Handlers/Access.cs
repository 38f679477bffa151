using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Keys;
using Hokusai.Keys.Validation;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

public enum Access
{
    Read,
    Write,
}
